import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import SwitchboardProtocol
import Synchronization

extension APIClient {
    /// Uploads the file at `url` to ticket `ticketId` as `name` (default: its own name), read from
    /// disk in pieces as it is sent; `progress` hears the bytes sent so far and the size.
    public func upload(
        _ url: URL, named name: String? = nil, to ticketId: Int,
        progress: @escaping @Sendable (_ sent: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws(APIError) -> Attachment {
        let handle: FileHandle, size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
                throw APIError(code: .invalid, message: "\(url.lastPathComponent) is not a file", status: 0)
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            handle = try FileHandle(forReadingFrom: url)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(code: .invalid, message: "\(url.path) cannot be read", status: 0)
        }
        defer { try? handle.close() }
        var request = HTTPClientRequest(url: server.appendingPathComponent("api/tickets/\(ticketId)/attachments").absoluteString)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        let name = name ?? url.lastPathComponent
        request.headers.add(name: "Content-Type", value: Self.contentType(of: name))
        request.headers.add(
            name: "X-File-Name",
            value: name.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics.union(
                    CharacterSet(charactersIn: "-._~ "))) ?? "file")
        if let token = session?.accessToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        // Read as the request asks for more: never the whole file in memory.
        let sent = Mutex(0)
        let chunks = AsyncStream<ByteBuffer>(unfolding: {
            guard let data = try? handle.read(upToCount: 64 << 10), !data.isEmpty else { return nil }
            progress(
                sent.withLock {
                    $0 += data.count
                    return $0
                }, size)
            return ByteBuffer(bytes: data)
        })
        request.body = .stream(chunks, length: .known(Int64(size)))
        let status: Int, body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: .minutes(10))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw APIError.transport(error, "\(server.host ?? "server") did not take the file")
        }
        let data = Data(buffer: body)
        guard (200..<300).contains(status) else { throw Self.refusal(status: status, body: data) }
        do {
            return try WireJSON.decoder().decode(Attachment.self, from: data)
        } catch {
            throw APIError(code: .internal, message: "the server's answer was not understood", status: status)
        }
    }

    /// Downloads `attachment` into `directory` under its name — never over an existing file
    /// (`name (1).ext` then) — written as it comes to a temporary file whose sha256 must match
    /// before it is moved into place; answers where it went.
    public func download(_ attachment: Attachment, into directory: URL) async throws(APIError) -> URL {
        var request = HTTPClientRequest(url: server.appendingPathComponent("api/attachments/\(attachment.id)").absoluteString)
        if let token = session?.accessToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let temporary = directory.appendingPathComponent(".\(UUID().uuidString).part")
        let unwritable = { (error: any Error) in
            APIError(code: .internal, message: "\(directory.path) cannot be written: \(error.localizedDescription)", status: 0)
        }
        let output: FileHandle
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteNoPermission) }
            output = try FileHandle(forWritingTo: temporary)
        } catch {
            throw unwritable(error)
        }
        var kept = false
        defer {
            try? output.close()
            if !kept { try? FileManager.default.removeItem(at: temporary) }
        }
        let answer: HTTPClientResponse
        do {
            answer = try await httpClient.execute(request, timeout: .minutes(10))
        } catch {
            throw APIError.transport(error, "\(server.host ?? "server") did not send the file")
        }
        guard answer.status == .ok else {
            let body = (try? await answer.body.collect(upTo: 1 << 20)).map { Data(buffer: $0) } ?? Data()
            throw Self.refusal(status: Int(answer.status.code), body: body)
        }
        var hasher = SHA256(), received = 0
        do {
            for try await piece in answer.body {
                received += piece.readableBytes
                // More than the attachment's size cannot be it: stop before the disk fills.
                guard received <= attachment.size else { break }
                hasher.update(data: piece.readableBytesView)
                try output.write(contentsOf: piece.readableBytesView)
            }
            try output.synchronize()
        } catch let error as CocoaError {
            throw unwritable(error)
        } catch {
            throw APIError.transport(error, "\(server.host ?? "server") stopped sending \(attachment.fileName)")
        }
        let digest = hasher.finalize().lowercaseHex
        guard received == attachment.size, digest == attachment.sha256 else {
            throw APIError(
                code: .invalid, message: "\(attachment.fileName) arrived damaged (its sha256 does not match): not saved", status: 0)
        }
        // Chosen only now, and the move refuses an existing name: a file that appeared meanwhile is kept.
        var target = Self.freeName(for: attachment.fileName, in: directory)
        for _ in 0..<3 {
            do {
                try FileManager.default.moveItem(at: temporary, to: target)
                kept = true
                return target
            } catch  where FileManager.default.fileExists(atPath: target.path) {
                target = Self.freeName(for: attachment.fileName, in: directory)
            } catch {
                throw unwritable(error)
            }
        }
        throw unwritable(CocoaError(.fileWriteFileExists))
    }

    /// `name.ext`, else `name (1).ext`, `name (2).ext` … — the first that does not exist. The name
    /// is made plain first (`FileNames.plain`) whatever the server sent: a file from someone else
    /// never lands as `.bash_profile`, `-rf` or `CON`, nor outside `directory`.
    static func freeName(for name: String, in directory: URL) -> URL {
        let safe = FileNames.plain(name)
        let base = (safe as NSString).deletingPathExtension, ext = (safe as NSString).pathExtension
        var candidate = directory.appendingPathComponent(safe), number = 1
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = directory.appendingPathComponent("\(base) (\(number))" + (ext.isEmpty ? "" : ".\(ext)"))
            number += 1
        }
        return candidate
    }

    /// The type a file's extension names; the server checks it against the bytes.
    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "pdf": "application/pdf"
        case "zip": "application/zip"
        case "txt", "log", "md", "csv": "text/plain"
        default: "application/octet-stream"
        }
    }
}
