"""Command line interface (click): one module per group of commands."""
