"""The ``sporttrack`` command line. Each sub-command is a ``cmd_*.py`` module here."""
