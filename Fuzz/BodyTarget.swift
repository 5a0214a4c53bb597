import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneBody(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    fuzzBody(Data(bytes: start, count: count))
    return 0
}
