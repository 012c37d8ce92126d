import Foundation

/// Plain TCP sockets, for TLS to run over. Owns its file descriptor.
public final class TCPSocket: @unchecked Sendable {
    // `@unchecked Sendable`: a connected socket is used by the one session thread it is handed
    // to; the only other thread that touches it is a deadline's, through `shutDown`, and the
    // descriptor is never shut down once closed (it may have been reused).
    private let descriptor: OwnedDescriptor
    public var fd: Int32 { descriptor.fd }

    init(fd: Int32) { descriptor = OwnedDescriptor(fd) }

    public func close() { descriptor.close() }

    /// Ends both directions now: a read or write blocked on this socket in another thread returns.
    public func shutDown() {
        descriptor.ifOpen { _ = Foundation.shutdown($0, Int32(SHUT_RDWR)) }
    }

    /// Shuts the socket down after `seconds` unless cancelled first: a bound on a whole exchange,
    /// where the socket's own timeouts bound each read.
    public func deadline(_ seconds: Double) -> SocketDeadline { SocketDeadline(socket: self, seconds: seconds) }

    /// Connects to `host:port`, trying each address the name resolves to.
    public static func connect(host: String, port: Int, timeout: Double) throws -> TCPSocket {
        signal(SIGPIPE, SIG_IGN)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw StreamError.io(.resolve(host: host, reason: String(cString: gai_strerror(rc))), errno: 0)
        }
        defer { freeaddrinfo(list) }
        var lastErrno: Int32 = ECONNREFUSED
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastErrno = errno; continue }
            let s = TCPSocket(fd: fd)
            s.setTimeouts(timeout)
            if Foundation.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                s.setNoDelay()
                return s
            }
            lastErrno = errno
        }
        throw StreamError.io(.connect(address: "\(host):\(port)"), errno: lastErrno)
    }

    /// Read and write timeouts: a blocked call fails with EAGAIN after `seconds`. At least a
    /// millisecond: a zero `timeval` would mean no timeout at all.
    public func setTimeouts(_ seconds: Double) {
        let s = min(max(seconds, 0.001), 1e9)
        var tv = timeval(tv_sec: Int(s), tv_usec: Int((s - Double(Int(s))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setNoDelay() {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The address of the far end, as text.
    public var peerDescription: String {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) == 0 }
        }
        return ok ? TCPListener.describe(&storage) : "?"
    }
}

/// A listening TCP socket.
public final class TCPListener: @unchecked Sendable {
    // `@unchecked Sendable`: only the accepting thread uses it; `close` may come from another,
    // and closes the descriptor once (a second close could hit a reused descriptor).
    private let descriptor: OwnedDescriptor
    public var fd: Int32 { descriptor.fd }
    public let address: String

    public init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard rc == 0, let ai = list else {
            throw StreamError.io(.resolve(host: host, reason: String(cString: gai_strerror(rc))), errno: 0)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
        guard fd >= 0 else { throw StreamError.io(.call("socket"), errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            let e = errno
            Foundation.close(fd)
            throw StreamError.io(.listenOn(address: "\(host):\(port)"), errno: e)
        }
        guard listen(fd, 64) == 0 else {
            let e = errno
            Foundation.close(fd)
            throw StreamError.io(.call("listen"), errno: e)
        }
        descriptor = OwnedDescriptor(fd)
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        address = Self.describe(&storage)
    }

    /// Stops listening: new connections are refused from now on.
    public func close() { descriptor.close() }

    /// Waits up to `timeout` seconds for a connection; nil if none came.
    public func accept(timeout: Double) throws -> TCPSocket? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&pfd, 1, Int32(timeout * 1000))
        if r < 0 {
            if errno == EINTR { return nil }
            throw StreamError.io(.call("poll"), errno: errno)
        }
        guard r > 0 else { return nil }
        let c = Foundation.accept(fd, nil, nil)
        if c < 0 {
            // Out of descriptors or a network hiccup: wait a little and go on serving.
            if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno) { usleep(100_000) }
            // Only a listening socket that is no longer one ends the server: accept(2) passes on
            // the pending errors of the new connection itself (ENOPROTOOPT, ENONET and others).
            if [EBADF, EINVAL, ENOTSOCK, EFAULT].contains(errno) { throw StreamError.io(.call("accept"), errno: errno) }
            return nil
        }
        let s = TCPSocket(fd: c)
        s.setNoDelay()
        return s
    }

    static func describe(_ storage: inout sockaddr_storage) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var port = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let len = socklen_t(storage.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, len, &host, socklen_t(host.count), &port, socklen_t(port.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard rc == 0 else { return "?" }
        let h = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let p = String(decoding: port.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return h.contains(":") ? "[\(h)]:\(p)" : "\(h):\(p)"
    }
}

/// A pending shutdown of a socket; `cancel` it when the exchange finished in time.
public final class SocketDeadline: @unchecked Sendable {
    // `@unchecked Sendable`: `cancelled` is guarded by `lock`.
    private let lock = NSLock()
    private var cancelled = false
    private var didFire = false

    init(socket: TCPSocket, seconds: Double) {
        // The socket is held weakly: a cancelled deadline must not keep a finished session's
        // socket alive for the rest of a long timeout.
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self, weak socket] in
            // Shut down under the lock, so that once `cancel` has returned no shutdown can come
            // (lock order: this one, then the socket's, which `cancel` never takes).
            lock.lock()
            defer { lock.unlock() }
            guard !cancelled, let socket else { return }
            didFire = true
            socket.shutDown()
        }
    }

    /// Whether the deadline passed and shut the socket down.
    public var fired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return didFire
    }

    /// Stops the deadline; false if it had already fired (the socket is shut down).
    @discardableResult
    public func cancel() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        cancelled = true
        return !didFire
    }
}
