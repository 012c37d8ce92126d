import Testing
import TejidoSync

/// The forms of a sync target.
@Suite struct PeerAddressTests {
    @Test func eachFormParses() {
        #expect(PeerAddress("/srv/coop") == .local(path: "/srv/coop"))
        #expect(PeerAddress("tcp://[::1]:7447") == .tcp(host: "::1", port: 7447))
        #expect(PeerAddress("ssh://ana@sierra:2222/srv/coop") == .ssh(user: "ana", host: "sierra", port: 2222, path: "/srv/coop"))
        #expect(PeerAddress("tcp://sierra") == nil)
        #expect(PeerAddress("http://sierra/") == nil)
    }

    /// A file URL as a file manager copies it: its path percent-decoded; a `%` that starts no
    /// escape is kept; an escaped NUL is no path.
    @Test func fileURLsArePercentDecoded() {
        #expect(PeerAddress("file:///media/usb/sp%20ace/%C3%B1and%C3%BA") == .local(path: "/media/usb/sp ace/ñandú"))
        #expect(PeerAddress("file:///media/usb/coop") == .local(path: "/media/usb/coop"))
        #expect(PeerAddress("file:///datos/100%") == .local(path: "/datos/100%"))
        #expect(PeerAddress("file:///datos/a%00b") == nil)
        #expect(PeerAddress("file://") == nil)
    }
}
