import CNIPlugin

#if canImport(Glibc)
import Glibc
#endif

exit(PluginMain.run())
