extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte: how the contract writes a `sha256`, and how
    /// digests are kept and compared on both sides.
    public var lowercaseHex: String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
