"""``python -m papershelf``: the CLI, or the window when no command is given."""

from papershelf.main import main

raise SystemExit(main())
