"""The Textual workbench: presentation only; every operation goes through qualcode.services."""
