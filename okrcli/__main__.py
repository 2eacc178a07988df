from okrcli.cli import main

main()
