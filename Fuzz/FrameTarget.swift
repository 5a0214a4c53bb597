import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneFrame(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    fuzzFrame(Data(bytes: start, count: count))
    return 0
}
