from mockplex.cli import main

raise SystemExit(main())
