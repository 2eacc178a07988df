from okrcli.cli.app import run

run()
