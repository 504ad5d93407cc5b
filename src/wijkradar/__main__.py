from wijkradar.cli.app import main

main()
