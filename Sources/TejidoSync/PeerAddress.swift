import Foundation

/// Where a peer is: a store directory on this machine, a store reached over ssh, or a TCP
/// listener spoken to with TLS 1.3.
public enum PeerAddress: Equatable, Sendable, CustomStringConvertible {
    case local(path: String)
    case ssh(user: String?, host: String, port: Int?, path: String)
    case tcp(host: String, port: Int)

    /// Parses `ssh://[user@]host[:port]/path`, `tcp://host:port`, `file:///path` or a plain path.
    public init?(_ text: String) {
        if text.hasPrefix("ssh://") {
            let rest = text.dropFirst("ssh://".count)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            var authority = String(rest[..<slash])
            let path = String(rest[slash...])
            var user: String?
            if let at = authority.lastIndex(of: "@") {
                user = String(authority[..<at])
                authority = String(authority[authority.index(after: at)...])
            }
            // A host that starts with "-" would reach ssh as an option.
            guard let (host, port) = Self.hostPort(authority, portRequired: false), path.count > 1, !host.hasPrefix("-"),
                user.map({ !$0.hasPrefix("-") }) ?? true
            else { return nil }
            // ssh://host/~/store is relative to the remote home; any other path is absolute.
            let remotePath = path.hasPrefix("/~/") ? String(path.dropFirst(3)) : path
            self = .ssh(user: user?.isEmpty == true ? nil : user, host: host, port: port, path: remotePath)
        } else if text.hasPrefix("tcp://") {
            var authority = String(text.dropFirst("tcp://".count))
            if authority.hasSuffix("/") { authority.removeLast() }
            guard let (host, port) = Self.hostPort(authority, portRequired: true), let port else { return nil }
            self = .tcp(host: host, port: port)
        } else if text.hasPrefix("file://") {
            // A file URL's path is percent-encoded (`%20` for a space, `%C3%B1` for ñ), as a file
            // manager copies it; a `%` that starts no escape is taken as it is (`100%`). A NUL
            // byte cannot be in a path.
            let raw = String(text.dropFirst("file://".count))
            let path = raw.removingPercentEncoding ?? raw
            guard !path.isEmpty, !path.contains("\0") else { return nil }
            self = .local(path: path)
        } else if text.contains("://") || text.isEmpty {
            return nil
        } else {
            self = .local(path: text)
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    public static func hostPort(_ s: String, portRequired: Bool, allowZero: Bool = false) -> (String, Int?)? {
        var host = s
        var portText: String?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = String(s[s.index(after: s.startIndex)..<close])
            let after = s[s.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty { return nil }
        } else if let colon = s.lastIndex(of: ":") {
            host = String(s[..<colon])
            portText = String(s[s.index(after: colon)...])
        }
        guard !host.isEmpty else { return nil }
        if let portText {
            guard let p = Int(portText), ((allowZero ? 0 : 1)...65535).contains(p) else { return nil }
            return (host, p)
        }
        return portRequired ? nil : (host, nil)
    }

    public var description: String {
        switch self {
        case .local(let path): path
        case .ssh(let user, let host, let port, let path):
            "ssh://" + (user.map { $0 + "@" } ?? "") + host + (port.map { ":\($0)" } ?? "") + (path.hasPrefix("/") ? path : "/~/" + path)
        case .tcp(let host, let port): "tcp://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
    }
}
