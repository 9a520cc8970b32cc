import sys

from statguard.cli.main import main

sys.exit(main())
