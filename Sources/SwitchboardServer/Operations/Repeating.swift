import ServiceLifecycle

/// Runs `work` every `interval` until the server shuts down; shutdown cancels the wait between
/// runs instead of sitting it out.
func repeating(every interval: Duration, _ work: @escaping @Sendable () async -> Void) async {
    try? await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            await work()
        }
    }
}
