"""The workbench screens, one per module (see qualcode.tui.screen_registry)."""
