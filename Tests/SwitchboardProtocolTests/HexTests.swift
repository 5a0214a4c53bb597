import Testing

@testable import SwitchboardProtocol

@Suite struct HexTests {
    @Test func bytesAreTwoLowerCaseDigitsEach() {
        #expect([UInt8]().lowercaseHex == "")
        #expect([0x00, 0x0f, 0xa0, 0xff].lowercaseHex == "000fa0ff")
        #expect(Array("abc".utf8).lowercaseHex == "616263")
    }
}
