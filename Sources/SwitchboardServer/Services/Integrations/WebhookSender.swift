import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SwitchboardProtocol

/// One attempt of one delivery: a signed POST, no redirects followed, within the timeout, the
/// answer's body read up to a bound. The secret goes into the signature only — never a log line.
struct WebhookSender: Sendable {
    let client: HTTPClient
    let settings: WebhookSettings

    struct Outcome: Sendable, Equatable {
        var delivered: Bool
        var status: Int?
        var line: String?
        var error: String?
    }

    static func makeClient(_ settings: WebhookSettings) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: TimeAmount(settings.timeout)))
        configuration.decompression = .disabled
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// `t=UNIX_SECONDS,v1=HEX`: HMAC-SHA256 over `"UNIX_SECONDS." + body` with the endpoint's secret.
    static func signature(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=\(mac.lowercaseHex)"
    }

    func send(_ body: String, event: WebhookEventRow, to target: WebhookTarget, now: Date) async -> Outcome {
        do {
            let url = try WebhookAddress.parse(target.url)
            try await WebhookAddress.check(url, allowPrivate: settings.allowPrivateTargets)
            var request = HTTPClientRequest(url: target.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.headers.add(name: "User-Agent", value: "Switchboard-Webhooks/1")
            request.headers.add(name: "X-Switchboard-Event", value: event.type.rawValue)
            request.headers.add(name: "X-Switchboard-Delivery", value: String(event.id))
            request.headers.add(
                name: "X-Switchboard-Signature",
                value: Self.signature(secret: target.secret, timestamp: Int(now.timeIntervalSince1970), body: body))
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            // Read a little of the answer (its size bounded), then let the connection go.
            var read = 0
            for try await part in response.body {
                read += part.readableBytes
                if read >= settings.responseBytes { break }
            }
            let code = Int(response.status.code)
            return Outcome(
                delivered: (200..<300).contains(code), status: code,
                line: Self.printable("\(code) \(response.status.reasonPhrase)"),
                error: (300..<400).contains(code) ? "redirects are not followed" : nil)
        } catch let refusal as ContractError {
            return Outcome(delivered: false, error: refusal.message)
        } catch let refusal as WebhookAddress.Refused {
            return Outcome(delivered: false, error: refusal.description)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return Outcome(delivered: false, error: "no answer within \(settings.timeout.inSeconds.formatted()) s")
        } catch let error as HTTPClientError where error == .connectTimeout {
            return Outcome(delivered: false, error: "could not connect within 5 s")
        } catch {
            return Outcome(delivered: false, error: Self.printable("\(error)"))
        }
    }

    /// Text from the far side, bounded and without controls, fit for the delivery log.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(200))
    }
}
