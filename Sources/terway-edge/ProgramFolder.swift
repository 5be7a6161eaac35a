import Glibc

/// The folder this program's executable is in, read from /proc/self/exe (so also when it
/// was run through PATH or a symlink): our programs ship side by side, in the image's
/// /usr/bin as in the build folder. "." when /proc cannot tell.
func programFolder() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return "." }
    let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = executable.lastIndex(of: "/") else { return "." }
    return slash == executable.startIndex ? "/" : String(executable[..<slash])
}
