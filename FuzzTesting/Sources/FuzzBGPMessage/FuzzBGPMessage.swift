import BGPFuzzProperties

/// libFuzzer entry point: the input is one whole BGP message, header included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBGPMessage(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    BGPFuzzProperties.checkMessage(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
