import CNIPlugin
import Glibc

exit(PluginMain.run())
