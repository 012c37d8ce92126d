/// Runs a session over a byte stream: writes what the session says, reads frames, hands them over,
/// until the session finishes or fails. A local failure is reported to the peer in an error
/// message before the error is thrown.
public enum SyncRunner {
    public static func run(_ session: SyncSession, over stream: any ByteStream,
                           progress: (SyncStats) -> Void = { _ in }) throws(SyncError) -> SyncStats {
        let reader = FrameReader(stream)
        var wireOut = 0
        var framesOut = 0
        var framesIn = 0
        var roundTrips = 0
        var sentSinceRead = false
        func send(_ messages: [SyncMessage]) throws(SyncError) {
            for m in messages {
                let frame = FrameWriter.frame(m.encoded())
                do { try stream.write(frame) } catch {
                    // The peer may have said why before it closed: that beats "broken pipe".
                    if let payload = try? reader.next(), case .error(let code, let text)? = try? SyncMessage.decode(payload) {
                        throw SyncError(SyncError.Code(rawValue: code) ?? .other, text, fromPeer: true)
                    }
                    throw transportError(error)
                }
                wireOut += frame.count
                framesOut += 1
                sentSinceRead = true
            }
        }
        func current() -> SyncStats {
            var s = session.stats
            s.wireBytesOut = wireOut
            s.wireBytesIn = reader.bytesRead
            s.framesOut = framesOut
            s.framesIn = framesIn
            s.roundTrips = roundTrips
            return s
        }
        do throws(SyncError) {
            try send(session.start())
            while !session.isFinished {
                session.prefetch()
                let payload: [UInt8]?
                if sentSinceRead {
                    // A reply already buffered was pipelined: no wait, no round trip.
                    if !reader.hasBufferedBytes { roundTrips += 1 }
                    sentSinceRead = false
                }
                do { payload = try reader.next() } catch { throw transportError(error) }
                guard let payload else { throw SyncError(.connectionLost, .peerClosedEarly) }
                framesIn += 1
                try send(session.handle(try SyncMessage.decode(payload)))
                progress(current())
            }
            return current()
        } catch {
            // Tell the peer why, unless the peer is the one who said it or the link is gone.
            if !error.fromPeer && error.code != .connectionLost && error.code != .timeout {
                let frame = FrameWriter.frame(SyncMessage.error(code: error.code.rawValue, text: error.peerDetail).encoded())
                try? stream.write(frame)
            }
            throw error
        }
    }

    static func transportError(_ error: any Error) -> SyncError {
        if let e = error as? SyncError { return e }
        if let e = error as? StreamError { return e.syncError }
        return SyncError(.connectionLost, "\(error)")
    }
}
