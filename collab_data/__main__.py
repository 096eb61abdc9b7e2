from collab_data.cli import main

raise SystemExit(main())
