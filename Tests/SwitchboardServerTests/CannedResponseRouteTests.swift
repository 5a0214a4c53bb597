import Foundation
import Testing

@testable import SwitchboardProtocol
@testable import SwitchboardServer

@Suite struct CannedResponseRouteTests {
    @Test func ownAndSharedResponses() async throws {
        try await withCast { api, cast, _ in
            let shared = try await api.post(
                "/api/canned-responses", token: cast.admin,
                CannedResponseRequest(
                    shortcut: "hello", title: "Greeting", body: "Hi {customer.name}, I'm {agent.name}.", shared: true))
            #expect(shared.status == 201)
            let own = try await api.post(
                "/api/canned-responses", token: cast.agent,
                CannedResponseRequest(
                    shortcut: "refund", title: "Refund policy", body: "Refunds take 5 days for ticket {ticket.id}."))
            #expect(own.status == 201)
            let agentList: [CannedResponse] = try await api.get("/api/canned-responses", token: cast.agent).decode()
            #expect(agentList.map(\.shortcut) == ["refund", "hello"])
            let otherAgent: [CannedResponse] = try await api.get("/api/canned-responses", token: cast.agent2).decode()
            #expect(otherAgent.map(\.shortcut) == ["hello"])
            let search: [CannedResponse] = try await api.get("/api/canned-responses?q=5%20DAYS", token: cast.agent).decode()
            #expect(search.map(\.shortcut) == ["refund"])
            // The same shortcut is fine for another owner, not twice for one.
            #expect(
                try await api.post(
                    "/api/canned-responses", token: cast.agent2,
                    CannedResponseRequest(shortcut: "refund", title: "Mine", body: "b")
                ).status == 201)
            #expect(
                try await api.post(
                    "/api/canned-responses", token: cast.agent,
                    CannedResponseRequest(shortcut: "refund", title: "Again", body: "b")
                ).status == 409)
        }
    }

    @Test func whoMayChangeWhat() async throws {
        try await withCast { api, cast, _ in
            let shared: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.admin,
                CannedResponseRequest(
                    shortcut: "bye", title: "Bye", body: "Goodbye", shared: true)
            ).decode()
            let own: CannedResponse = try await api.post(
                "/api/canned-responses", token: cast.agent,
                CannedResponseRequest(
                    shortcut: "mine", title: "Mine", body: "Mine")
            ).decode()
            #expect(
                try await api.post(
                    "/api/canned-responses", token: cast.agent,
                    CannedResponseRequest(
                        shortcut: "share", title: "S", body: "S", shared: true)
                ).status == 403)
            #expect(
                try await api.put("/api/canned-responses/\(shared.id)", token: cast.agent, CannedResponseUpdate(body: "x")).status == 403)
            #expect(try await api.put("/api/canned-responses/\(own.id)", token: cast.agent2, CannedResponseUpdate(body: "x")).status == 404)
            #expect(
                try await api.put("/api/canned-responses/\(own.id)", token: cast.agent, CannedResponseUpdate(shared: true)).status == 403)
            let edited: CannedResponse = try await api.put(
                "/api/canned-responses/\(own.id)", token: cast.agent,
                CannedResponseUpdate(title: "Renamed")
            ).decode()
            #expect(edited.title == "Renamed" && edited.body == "Mine" && edited.shortcut == "mine")
            let byAdmin: CannedResponse = try await api.put(
                "/api/canned-responses/\(own.id)", token: cast.admin,
                CannedResponseUpdate(body: "Edited by admin")
            ).decode()
            #expect(byAdmin.body == "Edited by admin" && byAdmin.ownerId == cast.agentId)
            #expect(try await api.delete("/api/canned-responses/\(shared.id)", token: cast.agent).status == 403)
            #expect(try await api.delete("/api/canned-responses/\(own.id)", token: cast.agent).status == 204)
            #expect(try await api.delete("/api/canned-responses/\(own.id)", token: cast.agent).status == 404)
            #expect(try await api.get("/api/canned-responses", token: cast.customer).status == 403)
            for bad in [
                CannedResponseRequest(shortcut: "Bad Shortcut", title: "t", body: "b"),
                CannedResponseRequest(shortcut: "ok", title: "", body: "b"),
                CannedResponseRequest(shortcut: "ok", title: "t", body: String(repeating: "b", count: 8_001)),
            ] {
                #expect(try await api.post("/api/canned-responses", token: cast.agent, bad).status == 400)
            }
        }
    }
}
