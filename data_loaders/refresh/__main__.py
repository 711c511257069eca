import sys

from data_loaders.refresh.command import main

sys.exit(main())
