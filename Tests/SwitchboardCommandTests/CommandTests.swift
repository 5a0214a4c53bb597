import Testing
@testable import switchboard

@Test func placeholder() {}
