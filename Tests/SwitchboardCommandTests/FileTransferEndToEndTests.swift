import Foundation
import SwitchboardClient
import SwitchboardProtocol
import Testing

/// `/attach` and `/save` in tmux against a real server: a customer sends a receipt, the agent
/// sees it and saves it, the bytes arrive whole.
@Suite(.serialized) struct FileTransferEndToEndTests {
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aCustomerSendsAFileAndTheAgentSavesIt() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "files")
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "dana", name: "Dana Doe", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(CreateTicketRequest(subject: "Refund", description: "Charged twice",
                                                                           category: .payment))
        let receipt = server.directory.appendingPathComponent("receipt.txt")
        let text = "Order 4410\nTotal 24,90 (twice)\n"
        try text.write(to: receipt, atomically: true, encoding: .utf8)
        let downloads = server.directory.appendingPathComponent("downloads")

        // The customer's side in the terminal.
        let tmux = try TmuxSession()
        defer { tmux.close() }
        try tmux.start([Command.binary.path, "chat", "--server", server.url, "--user", "dana"],
                       environment: ["SWITCHBOARD_PASSWORD": "a long password"], width: 100, height: 30)
        try await tmux.waitFor("the customer's tickets") { $0.contains("Refund") && $0.contains("● connected") }
        try tmux.literal("/open \(ticket.id)")
        try tmux.keys("Enter")
        try await tmux.waitFor("the chat") { $0.contains("Charged twice") }
        // Tab completes the path from the file system.
        try tmux.literal("/attach \(server.directory.path)/rec")
        try tmux.keys("Tab")
        try await tmux.waitFor("the path completed") { $0.contains("/receipt.txt") }
        try tmux.keys("Enter")
        try await tmux.waitFor("sent, and shown as a file") { $0.contains("📎 1 receipt.txt · \(text.utf8.count) B · text/plain") }

        // The agent's console sees it and saves it into the downloads directory.
        let agent = try await TmuxSession.console(server.url, user: "alex", name: "Alex Agent", width: 120, height: 30, environment: ["XDG_DOWNLOAD_DIR": downloads.path])
        defer { agent.close() }
        try agent.literal("/open \(ticket.id)")
        try agent.keys("Enter")
        try await agent.waitFor("the file in the chat") { $0.contains("📎 1 receipt.txt · \(text.utf8.count) B · text/plain") }
        try agent.literal("/save")
        try agent.keys("Enter")
        let saved = downloads.appendingPathComponent("receipt.txt")
        try await agent.waitFor("saved, and said where") { $0.contains("receipt.txt is in \(saved.path)") }
        #expect(try String(contentsOf: saved, encoding: .utf8) == text)
        // Again: a second copy beside it, never over it.
        try agent.literal("/save 1")
        try agent.keys("Enter")
        try await agent.waitFor("a second copy") { $0.contains("receipt (1).txt") }
        #expect(FileManager.default.fileExists(atPath: downloads.appendingPathComponent("receipt (1).txt").path))
    }
}
