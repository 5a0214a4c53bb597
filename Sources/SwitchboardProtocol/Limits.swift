/// Size limits of the contract (protocol.md, "Limits"). Defaults; the server may configure others.
public struct Limits: Codable, Equatable, Sendable {
    public var usernameLength = 3...32
    public var passwordLength = 8...128
    public var displayNameMaxLength = 64
    public var emailMaxLength = 254
    public var subjectMaxLength = 200
    public var descriptionMaxLength = 10_000
    public var messageMaxLength = 8_000
    public var requestBodyBytes = 1 << 20
    public var frameBytes = 64 << 10
    public var attachmentBytes = 10 << 20
    /// Page sizes for lists (`size` on tickets, `limit` on messages).
    public var pageSizeMax = 100
    public var messagePageMax = 200

    public init() {}

    enum CodingKeys: String, CodingKey {
        case usernameMin, usernameMax, passwordMin, passwordMax, displayNameMaxLength, emailMaxLength,
            subjectMaxLength, descriptionMaxLength, messageMaxLength, requestBodyBytes, frameBytes,
            attachmentBytes, pageSizeMax, messagePageMax
    }

    /// Every key is optional in a config file: what it leaves out keeps its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Limits()
        usernameLength = try Self.range(c, .usernameMin, .usernameMax, default: d.usernameLength)
        passwordLength = try Self.range(c, .passwordMin, .passwordMax, default: d.passwordLength)
        displayNameMaxLength = try c.decodeIfPresent(Int.self, forKey: .displayNameMaxLength) ?? d.displayNameMaxLength
        emailMaxLength = try c.decodeIfPresent(Int.self, forKey: .emailMaxLength) ?? d.emailMaxLength
        subjectMaxLength = try c.decodeIfPresent(Int.self, forKey: .subjectMaxLength) ?? d.subjectMaxLength
        descriptionMaxLength = try c.decodeIfPresent(Int.self, forKey: .descriptionMaxLength) ?? d.descriptionMaxLength
        messageMaxLength = try c.decodeIfPresent(Int.self, forKey: .messageMaxLength) ?? d.messageMaxLength
        requestBodyBytes = try c.decodeIfPresent(Int.self, forKey: .requestBodyBytes) ?? d.requestBodyBytes
        frameBytes = try c.decodeIfPresent(Int.self, forKey: .frameBytes) ?? d.frameBytes
        attachmentBytes = try c.decodeIfPresent(Int.self, forKey: .attachmentBytes) ?? d.attachmentBytes
        pageSizeMax = try c.decodeIfPresent(Int.self, forKey: .pageSizeMax) ?? d.pageSizeMax
        messagePageMax = try c.decodeIfPresent(Int.self, forKey: .messagePageMax) ?? d.messagePageMax
    }

    /// A min/max pair; a minimum above the maximum is refused here (a range of them would trap).
    private static func range(
        _ c: KeyedDecodingContainer<CodingKeys>, _ min: CodingKeys, _ max: CodingKeys,
        default fallback: ClosedRange<Int>
    ) throws -> ClosedRange<Int> {
        let low = try c.decodeIfPresent(Int.self, forKey: min) ?? fallback.lowerBound
        let high = try c.decodeIfPresent(Int.self, forKey: max) ?? fallback.upperBound
        guard low <= high else {
            throw DecodingError.dataCorruptedError(forKey: min, in: c, debugDescription: "\(min.rawValue) is above \(max.rawValue)")
        }
        return low...high
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(usernameLength.lowerBound, forKey: .usernameMin)
        try c.encode(usernameLength.upperBound, forKey: .usernameMax)
        try c.encode(passwordLength.lowerBound, forKey: .passwordMin)
        try c.encode(passwordLength.upperBound, forKey: .passwordMax)
        try c.encode(displayNameMaxLength, forKey: .displayNameMaxLength)
        try c.encode(emailMaxLength, forKey: .emailMaxLength)
        try c.encode(subjectMaxLength, forKey: .subjectMaxLength)
        try c.encode(descriptionMaxLength, forKey: .descriptionMaxLength)
        try c.encode(messageMaxLength, forKey: .messageMaxLength)
        try c.encode(requestBodyBytes, forKey: .requestBodyBytes)
        try c.encode(frameBytes, forKey: .frameBytes)
        try c.encode(attachmentBytes, forKey: .attachmentBytes)
        try c.encode(pageSizeMax, forKey: .pageSizeMax)
        try c.encode(messagePageMax, forKey: .messagePageMax)
    }
}
