"""``python -m yesman._simagent``: see `yesman._simagent.cli`."""

import sys

from yesman._simagent.cli import main

sys.exit(main())
