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

    /// A file URL as a file manager copies it: its path percent-decoded; a malformed escape is no URL.
    @Test func fileURLsArePercentDecoded() {
        #expect(PeerAddress("file:///media/usb/sp%20ace/%C3%B1and%C3%BA") == .local(path: "/media/usb/sp ace/ñandú"))
        #expect(PeerAddress("file:///media/usb/coop") == .local(path: "/media/usb/coop"))
        #expect(PeerAddress("file:///media/%zz") == nil)
        #expect(PeerAddress("file://") == nil)
    }
}
