import Foundation
import Testing

@testable import SwitchboardClient
@testable import SwitchboardProtocol

/// The reconnect decisions, driven with made-up durations and random numbers: no sleeping.
@Suite struct ReconnectPolicyTests {
    let backoff = Backoff(base: .milliseconds(500), cap: .seconds(8), maxAttempts: 6)

    @Test func failuresWaitARandomPartOfAWindowThatDoublesUpToTheCap() {
        var policy = ReconnectPolicy(backoff: backoff)
        var waits: [Duration] = []
        for _ in 0..<6 {
            guard
                case .retry(let after, _, false) = policy.next(
                    after: .unreachable(ConnectionFailure(.refused, "refused")), connectedFor: nil, unit: 0.5)
            else {
                Issue.record("expected a retry")
                return
            }
            waits.append(after)
        }
        #expect(waits == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4)])
        // The attempts are used up: offline, with why.
        #expect(
            policy.next(after: .unreachable(ConnectionFailure(.refused, "refused")), connectedFor: nil, unit: 0.5)
                == .giveUp(reason: "gave up after 6 attempts: cannot reach the server (refused)"))
        // The user asks again: the count starts over.
        policy.reset()
        #expect(
            policy.next(after: .unreachable(ConnectionFailure(.refused, "refused")), connectedFor: nil, unit: 0.999)
                == .retry(after: .milliseconds(499), attempt: 1, refreshToken: false))
    }

    @Test func jitterSpreadsClientsOverTheWholeWindow() {
        let waits = [0.0, 0.25, 0.5, 0.75, 0.99].map { unit in
            var policy = ReconnectPolicy(backoff: backoff)
            for _ in 0..<3 { _ = policy.next(after: .dropped(ConnectionFailure(.ended, "reset")), connectedFor: nil, unit: unit) }
            return policy.next(after: .dropped(ConnectionFailure(.ended, "reset")), connectedFor: nil, unit: unit)
        }
        #expect(
            waits
                == [.zero, .milliseconds(1_000), .milliseconds(2_000), .milliseconds(3_000), .milliseconds(3_960)]
                .enumerated().map { .retry(after: $0.element, attempt: 4, refreshToken: false) })
    }

    @Test func aStableConnectionStartsTheCountAgainAndAShortOneDoesNot() {
        var policy = ReconnectPolicy(backoff: backoff, stableAfter: .seconds(10))
        for _ in 0..<4 { _ = policy.next(after: .unreachable(ConnectionFailure(.refused, "down")), connectedFor: nil, unit: 0.5) }
        // Up for 2 s only (a server crashing after accept): the window keeps growing.
        #expect(
            policy.next(after: .dropped(ConnectionFailure(.ended, "reset")), connectedFor: .seconds(2), unit: 0.5)
                == .retry(after: .seconds(4), attempt: 5, refreshToken: false))
        // Up for a minute: back to the smallest window.
        #expect(
            policy.next(after: .dropped(ConnectionFailure(.ended, "reset")), connectedFor: .seconds(60), unit: 0.5)
                == .retry(after: .milliseconds(250), attempt: 1, refreshToken: false))
    }

    @Test func anExpiredTokenComesBackAtOnceWithAFreshOne() {
        var policy = ReconnectPolicy(backoff: backoff, stableAfter: .seconds(10))
        #expect(
            policy.next(after: .closed(code: CloseCode.tokenExpired, reason: nil), connectedFor: .seconds(900), unit: 0.5)
                == .retry(after: .zero, attempt: 0, refreshToken: true))
        // Expired again straight away (clocks apart?): refresh, but back off rather than spin.
        #expect(
            policy.next(after: .closed(code: CloseCode.tokenExpired, reason: nil), connectedFor: .milliseconds(20), unit: 0.5)
                == .retry(after: .milliseconds(250), attempt: 1, refreshToken: true))
    }

    @Test func aServerRestartOrARateLimitCloseStartsWithAWiderWindow() {
        var restart = ReconnectPolicy(backoff: backoff)
        #expect(
            restart.next(after: .closed(code: CloseCode.goingAway, reason: nil), connectedFor: .seconds(600), unit: 0.5)
                == .retry(after: .seconds(1), attempt: 1, refreshToken: false))
        // Closed for falling behind: the contract says reconnect and resume (it used to give up).
        var behind = ReconnectPolicy(backoff: backoff)
        #expect(
            behind.next(after: .closed(code: 1008, reason: "too slow: reconnect and resume"), connectedFor: .seconds(600), unit: 0.5)
                == .retry(after: .seconds(1), attempt: 1, refreshToken: false))
        var flood = ReconnectPolicy(backoff: backoff)
        #expect(
            flood.next(after: .closed(code: CloseCode.rateLimited, reason: nil), connectedFor: .seconds(600), unit: 0.5)
                == .retry(after: .seconds(4), attempt: 1, refreshToken: false))
    }

    @Test func refusalsThatRetryingCannotFixStopTrying() {
        var policy = ReconnectPolicy(backoff: backoff)
        #expect(
            policy.next(after: .closed(code: CloseCode.loggedOut, reason: nil), connectedFor: .seconds(5), unit: 0.5)
                == .authFailed(reason: "this login was signed out"))
        let unauthorized = APIError(code: .unauthorized, message: "wrong username or password", status: 401)
        #expect(
            policy.next(after: .refused(unauthorized), connectedFor: nil, unit: 0.5)
                == .authFailed(reason: "Not signed in: wrong username or password."))
        let origin = APIError(code: .forbidden, message: "origin not allowed", status: 403)
        #expect(policy.next(after: .refused(origin), connectedFor: nil, unit: 0.5) == .giveUp(reason: "Not allowed: origin not allowed."))
        // Too many connections (429) is worth another try later.
        let busy = APIError(code: .rateLimited, message: "too many connections", status: 429)
        #expect(
            policy.next(after: .refused(busy), connectedFor: nil, unit: 0.5)
                == .retry(after: .milliseconds(250), attempt: 1, refreshToken: false))
    }

    @Test func theIndicatorSaysWhenTheNextTryIs() {
        let now = Date(timeIntervalSince1970: 1_000)
        let state = ConnectionState.reconnecting(attempt: 3, nextTryAt: now.addingTimeInterval(4.2), reason: "connection lost")
        #expect(state.sentence(now: now) == "connection lost; retry 3 in 5s")
        #expect(ConnectionState.authFailed(reason: "signed out").sentence() == "sign in again: signed out")
    }
}
