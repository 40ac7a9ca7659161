"""The operations a user performs, in one place for the command line, the workbench and the web page."""
