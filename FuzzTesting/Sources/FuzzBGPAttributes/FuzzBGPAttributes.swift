import BGPFuzzProperties

/// libFuzzer entry point: the input is the Path Attributes field of an UPDATE.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBGPAttributes(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    BGPFuzzProperties.checkAttributes(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
