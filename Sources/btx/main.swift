import BTXCLI
import Glibc

exit(runCLI(Array(CommandLine.arguments.dropFirst())))
