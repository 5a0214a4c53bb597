import Foundation

// What the fuzz targets feed: every decoder the server runs on bytes a client chose. Compiled
// together with SwitchboardProtocol's sources (scripts/fuzz), so it reaches internal code too.

/// A WebSocket frame, as the session decodes it; re-encoding what decoded must not trap either.
func fuzzFrame(_ data: Data) {
    guard let frame = try? WireJSON.decoder().decode(ClientFrame.self, from: data) else { return }
    _ = try? WireJSON.encoder().encode(frame)
}

/// A request body: the first byte picks which route's body the rest is decoded as.
func fuzzBody(_ data: Data) {
    guard let selector = data.first else { return }
    let body = data.dropFirst()
    let decoder = WireJSON.decoder()
    switch selector % 16 {
    case 0: _ = try? decoder.decode(RegisterRequest.self, from: body)
    case 1: _ = try? decoder.decode(LoginRequest.self, from: body)
    case 2: _ = try? decoder.decode(RefreshRequest.self, from: body)
    case 3: _ = try? decoder.decode(CreateUserRequest.self, from: body)
    case 4: _ = try? decoder.decode(CreateTicketRequest.self, from: body)
    case 5:
        // Patch<Int> tells "absent" from "null"; encode it back as the client will.
        if let update = try? decoder.decode(UpdateTicketRequest.self, from: body) { _ = try? WireJSON.encoder().encode(update) }
    case 6: _ = try? decoder.decode(PostMessageRequest.self, from: body)
    case 7: _ = try? decoder.decode(MarkReadRequest.self, from: body)
    case 8: _ = try? decoder.decode(SessionStatusRequest.self, from: body)
    case 9: _ = try? decoder.decode(CannedResponseRequest.self, from: body)
    case 10: _ = try? decoder.decode(CannedResponseUpdate.self, from: body)
    case 11: _ = try? decoder.decode(AgentStatusRequest.self, from: body)
    case 12: _ = try? decoder.decode(TransferRequest.self, from: body)
    case 13: _ = try? decoder.decode(EscalateRequest.self, from: body)
    case 14:
        // The limits of a config file (a minimum above its maximum once trapped).
        _ = try? JSONDecoder().decode(Limits.self, from: body)
    default:
        // Report dates (`from`, `to`) and every timestamp: parsed, then turned into storage millis.
        if let date = Timestamp.parse(String(decoding: body, as: UTF8.self)) { _ = Timestamp.format(date) }
    }
}
