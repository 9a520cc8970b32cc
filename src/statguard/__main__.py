import sys

try:
    from statguard.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the modules load: no traceback, the shell's 130
    sys.stderr.write("statguard: interrupted\n")
    sys.exit(130)

sys.exit(main())
