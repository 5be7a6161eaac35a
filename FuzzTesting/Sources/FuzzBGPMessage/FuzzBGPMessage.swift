import BGPFuzzProperties
import CLibFuzzer

/// libFuzzer entry point: the input is one whole BGP message, header included.
@_cdecl("LLVMFuzzerTestOneInput")
public func testFuzzBGPMessage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    do {
        try BGPFuzzProperties.checkMessage(UnsafeRawBufferPointer(start: start, count: count))
    } catch {
        fatalError(error.description)  // libFuzzer saves the input that trapped
    }
    return 0
}

@_cdecl("FuzzBGPMessage_main")
public func mainFuzzBGPMessage(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { testFuzzBGPMessage($0, $1) }
}
