import BGPFuzzProperties
import CLibFuzzer

/// libFuzzer entry point: the input is the Path Attributes field of an UPDATE.
@_cdecl("LLVMFuzzerTestOneInput")
public func testFuzzBGPAttributes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    do {
        try BGPFuzzProperties.checkAttributes(UnsafeRawBufferPointer(start: start, count: count))
    } catch {
        fatalError(error.description)  // libFuzzer saves the input that trapped
    }
    return 0
}

@_cdecl("FuzzBGPAttributes_main")
public func mainFuzzBGPAttributes(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { testFuzzBGPAttributes($0, $1) }
}
