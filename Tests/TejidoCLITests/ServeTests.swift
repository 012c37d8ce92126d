import Foundation
import Testing

/// `tejido serve --listen` as a user runs it: it prints where it listens, serves a sync, and
/// stops cleanly on SIGINT and on SIGTERM.
@Suite(.serialized) struct ServeTests {
    /// Starts `serve --listen 127.0.0.1:0 --json` and returns the process and its listening event.
    func startServer(_ store: URL, _ extra: [String] = []) throws -> (Process, URL, [String: Any]) {
        let exe = try CLI.executable.get()
        let out = store.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = exe
        p.arguments = ["serve", "--listen", "127.0.0.1:0", "--json", "--store", store.path] + extra
        p.environment = CLI.baseEnvironment()
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = FileHandle.nullDevice
        try p.run()
        for _ in 0..<100 {
            if let text = try? String(contentsOf: out, encoding: .utf8), let line = text.split(separator: "\n").first,
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            {
                return (p, out, obj)
            }
            usleep(50_000)
        }
        p.terminate()
        throw CocoaError(.fileReadUnknown)
    }

    /// `serve` in text mode and Spanish under `policy`: the process, the address it listens on
    /// (from its stdout), and the file its stderr (one line per session) goes to. With
    /// `descriptors`, it runs under `ulimit -n` of that many.
    func startSpanishServer(_ store: URL, policy: String, in dir: URL, descriptors: Int? = nil, extra: [String] = []) throws
        -> (Process, String, URL)
    {
        let out = dir.appendingPathComponent("serve.out"), err = dir.appendingPathComponent("serve.err")
        for f in [out, err] { _ = FileManager.default.createFile(atPath: f.path, contents: nil) }
        let p = Process()
        let serve = ["serve", "--listen", "127.0.0.1:0", "--allow", policy, "--lang", "es", "--store", store.path] + extra
        if let descriptors {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "ulimit -n \(descriptors); exec \"$0\" \"$@\"", try CLI.executable.get().path] + serve
        } else {
            p.executableURL = try CLI.executable.get()
            p.arguments = serve
        }
        p.environment = CLI.baseEnvironment()
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        for _ in 0..<100 {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { return (p, String(text[r]), err) }
            usleep(50_000)
        }
        p.terminate()
        throw CocoaError(.fileReadUnknown)
    }

    func waitExit(_ p: Process, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        return !p.isRunning
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func servesThenStopsCleanlyOnASignal(_ sig: Int32) throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            try CLI.ok(["put", "chiapas/events/e1", "title=Asamblea"], store: server.directory)
            let status = try CLI.json(["status"], store: server.directory)
            let network = try #require(status["network"]?.string)
            let serverKey = try #require(status["key"]?.string)
            let client = dir.appendingPathComponent("client")
            _ = try CLI.json(["init", "--join", network], store: client)
            let clientKey = try #require(try CLI.json(["key", "show"], store: client)["key"]?.string)
            try CLI.ok(["peer", "add", "cliente", "--key", clientKey], store: server.directory)

            let (process, out, listening) = try startServer(server.directory)
            defer { if process.isRunning { process.terminate() } }
            #expect(listening["event"] as? String == "listening")
            #expect(listening["key"] as? String == serverKey)
            let address = try #require(listening["address"] as? String)

            let synced = CLI.run(["sync", "tcp://\(address)", "--key", serverKey, "--json"], store: client)
            #expect(synced.status == 0, "sync: \(synced.stderr)")
            #expect(try CLI.json(["status"], store: client)["digest"]?.string == status["digest"]?.string)

            kill(process.processIdentifier, sig)
            let stopped = waitExit(process)
            #expect(stopped, "serve did not stop on signal \(sig)")
            guard stopped else { return }
            #expect(process.terminationStatus == 0)
            let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
            #expect(lines.last?.contains("\"stopped\"") == true)
        }
    }

    /// The far side of a pipe sync that leaves a process behind (one still writing to the pipe,
    /// or one that keeps a descriptor it inherited): the sync ends at once all the same.
    @Test(arguments: [
        "sleep 20 </dev/null >/dev/null 2>&1 &\nexec \"$TEJIDO\" \"$@\"\n",
        "head -c 200000 /dev/zero\n",
    ])
    func aPipeSyncDoesNotWaitForWhatTheFarSideLeavesBehind(script: String) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let (b, _) = try s.joined(in: tmp, name: "b")
            let far = tmp.appendingPathComponent("far.sh")
            try ("#!/bin/sh\n" + script).write(to: far, atomically: true, encoding: .utf8)
            chmod(far.path, 0o755)
            let start = Date()
            let r = CLI.run(["sync", s.directory.path, "--remote-command", far.path, "--timeout", "5"], store: b,
                            env: ["TEJIDO": try CLI.executable.get().path])
            #expect(Date().timeIntervalSince(start) < 8, "\(r.stderr)")
            // A far side that answers with zeros is no peer; one that serves is synced.
            #expect(script.hasPrefix("head") ? r.status == 1 : r.status == 0, "\(r.stderr)")
        }
    }

    @Test func tcpWithoutAPinnedKeyShowsTheKeyAndSendsNothing() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let status = try CLI.json(["status"], store: server.directory)
            let client = dir.appendingPathComponent("client")
            _ = try CLI.json(["init", "--join", try #require(status["network"]?.string)], store: client)
            let (process, _, listening) = try startServer(server.directory, ["--allow", "any"])
            defer { process.terminate() }
            let address = try #require(listening["address"] as? String)
            let r = CLI.run(["sync", "tcp://\(address)", "--lang", "es"], store: client)
            #expect(r.status == 1)
            #expect(r.stderr.contains(try #require(status["key"]?.string)))
            #expect(r.stderr.contains("huella"))
            #expect(try CLI.json(["status"], store: client)["applied"]?.int == 0)
        }
    }

    @Test(arguments: ["known", "peers"])
    func aRefusedClientIsLoggedFromTheServersSide(policy: String) throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let status = try CLI.json(["status"], store: server.directory)
            let serverKey = try #require(status["key"]?.string)
            let client = dir.appendingPathComponent("client")
            _ = try CLI.json(["init", "--join", try #require(status["network"]?.string)], store: client)
            let clientKey = try #require(try CLI.json(["key", "show"], store: client)["key"]?.string)
            // Text output in Spanish: stdout says where it listens, stderr logs each session.
            let (p, listening, err) = try startSpanishServer(server.directory, policy: policy, in: dir)
            defer { if p.isRunning { p.terminate() } }
            let refused = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey], store: client)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("ask its owner to pin it"), "\(refused.stderr)")
            // The server's reason, sent in English, is said in the client's language.
            let rechazado = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey, "--lang", "es"], store: client)
            #expect(rechazado.stderr.contains("este servidor no conoce la llave \(clientKey) (política: \(policy))"), "\(rechazado.stderr)")
            #expect(!rechazado.stderr.contains("does not know"), "\(rechazado.stderr)")
            var log = ""
            for _ in 0..<100 where !log.contains("rechazado") {
                log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                usleep(50_000)
            }
            if policy == "peers" {
                // Under --allow peers only a pin lets a key in: a role is not offered as a way.
                #expect(log.contains("cliente rechazado: su llave \(clientKey) no está fijada aquí (--allow peers)"), "\(log)")
                #expect(!log.contains("rol"), "\(log)")
            } else {
                #expect(log.contains("cliente rechazado: su llave \(clientKey) no tiene permiso aquí (--allow known)"), "\(log)")
            }
            #expect(!log.contains("este nodo"), "the client's wording on the server: \(log)")
        }
    }

    /// At the process limit (`ulimit -u`) no thread or child can be started: `serve` says so at
    /// once instead of waiting for ever inside Dispatch, and a pipe sync says why it cannot start
    /// its child. The limit binds only a user other than root, so the commands run as a user id
    /// of their own, which no other process on the machine is likely to hold (the limit counts
    /// every process of the user: one of nobody's elsewhere would stop the first exec).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")))
    func theProcessLimitIsAMessageNotAHang() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let (client, _) = try server.joined(in: dir, name: "client")
            // That user must reach the program and own the stores.
            let uid = UInt32(40_000 + Int(getpid()) % 20_000)
            let program = dir.appendingPathComponent("tejido").path
            try FileManager.default.copyItem(atPath: try CLI.executable.get().path, toPath: program)
            chmod(dir.path, 0o755)
            for path in [server.directory.path, client.path] {
                for entry in [path] + ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).map({ path + "/" + $0 }) {
                    chown(entry, uid, uid)
                }
            }
            func limited(_ args: [String], processes: Int = 1) throws -> (status: Int32, stderr: String, seconds: Double) {
                let err = dir.appendingPathComponent("limited.err")
                _ = FileManager.default.createFile(atPath: err.path, contents: nil)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
                p.arguments = ["--nproc=\(processes)", "/usr/bin/setpriv", "--reuid", String(uid), "--regid", String(uid), "--clear-groups", program] + args
                p.environment = CLI.baseEnvironment().merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
                p.standardOutput = FileHandle.nullDevice
                p.standardError = try FileHandle(forWritingTo: err)
                let start = Date()
                try p.run()
                while p.isRunning && Date().timeIntervalSince(start) < 20 { usleep(20_000) }
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
                p.waitUntilExit()
                return (p.terminationStatus, (try? String(contentsOf: err, encoding: .utf8)) ?? "", Date().timeIntervalSince(start))
            }
            // At 1 no thread at all; at 3 a few, but fewer than one session needs at once.
            for processes in [1, 3] {
                let serve = try limited(["serve", "--listen", "127.0.0.1:0", "--store", server.directory.path], processes: processes)
                #expect(serve.status == 1 && serve.seconds < 10, "\(processes): \(serve)")
                #expect(serve.stderr.contains("ulimit -u"), "\(processes): \(serve.stderr)")
            }
            let sync = try limited(["sync", server.directory.path, "--store", client.path])
            #expect(sync.status == 1 && sync.seconds < 10, "\(sync)")
            #expect(sync.stderr.contains("Resource temporarily unavailable"), "\(sync.stderr)")
        }
    }

    /// A client that will not accept the server's key (none pinned, or another) tells the server
    /// so before it closes: the server's log says what the client needs, not that the link was cut.
    @Test func aClientThatRefusesTheServersKeyIsLoggedAsSuch() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let (client, clientKey) = try server.joined(in: dir, name: "client")
            let (p, listening, err) = try startSpanishServer(server.directory, policy: "any", in: dir)
            defer { if p.isRunning { p.terminate() } }
            #expect(CLI.run(["sync", "tcp://\(listening)"], store: client).status == 1)
            #expect(CLI.run(["sync", "tcp://\(listening)", "--key", clientKey], store: client).status == 1)
            var log = ""
            for _ in 0..<100 where log.split(separator: "\n").count < 2 {
                log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                usleep(50_000)
            }
            #expect(log.contains("el cliente no tiene fijada ninguna llave para este servidor"), "\(log)")
            #expect(log.contains("el cliente espera otra llave para este servidor"), "\(log)")
            #expect(!log.contains("cortó") && !log.contains("cut"), "\(log)")
        }
    }

    /// A server left with too few descriptors for one more session tells the client so after the
    /// handshake (`busy`), rather than closing the connection: the client's sync says to try again
    /// later, in its own language, not that the link was cut; the server's log says why.
    @Test func aServerShortOfDescriptorsTellsTheClient() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let serverKey = try #require(try CLI.json(["key", "show"], store: server.directory)["key"]?.string)
            let (client, _) = try server.joined(in: dir, name: "client")
            // 20 descriptors: enough to start (it wants room for two sessions; it holds about 12
            // itself), not for many more.
            let (p, listening, err) = try startSpanishServer(
                server.directory, policy: "any", in: dir, descriptors: 20, extra: ["--timeout", "20"])
            defer { if p.isRunning { p.terminate() } }
            // Clients that connect and say nothing hold a descriptor each, until the timeout. They
            // are added one at a time until the server has room to accept one more connection but
            // not to serve it (with none left at all it could not even accept it, and the client
            // would wait in the backlog); how many that takes depends on what the process holds.
            let port = try #require(listening.split(separator: ":").last.flatMap { UInt16($0) })
            var silent: [Int32] = []
            defer { silent.forEach { close($0) } }
            var busy = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey, "--json", "--timeout", "3"], store: client)
            while busy.status == 0 && silent.count < 12 {
                silent.append(try Self.connect(port: port))
                usleep(100_000)
                busy = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey, "--json", "--timeout", "3"], store: client)
            }
            #expect(busy.status == 1, "\(busy)")
            let result = try JSON.parse(busy.stdout)["results"]?.array?.first
            #expect(result?["error"]?.string == "server_busy", "\(busy.stdout)")
            #expect(result?["message"]?.string == "too many open files to serve a session (ulimit -n)", "\(busy.stdout)")
            // Two clients at most are turned away at once: the first is let go before the second asks.
            var log = ""
            for _ in 0..<100 where !log.contains("rechazado por ahora") {
                log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                usleep(50_000)
            }
            usleep(200_000)
            let ocupado = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey, "--lang", "es"], store: client)
            #expect(ocupado.status == 1)
            #expect(ocupado.stderr.contains("el servidor no puede atender otra sesión ahora; vuelve a intentarlo más tarde"), "\(ocupado.stderr)")
            #expect(ocupado.stderr.contains("demasiados archivos abiertos para atender una sesión (ulimit -n)"), "\(ocupado.stderr)")
            #expect(!ocupado.stderr.contains("cortó"), "\(ocupado.stderr)")
            // Both turned away, and logged once their connections were closed, in the server's terms.
            for _ in 0..<100 where log.components(separatedBy: "rechazado por ahora").count < 3 {
                log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                usleep(50_000)
            }
            #expect(log.components(separatedBy: "rechazado por ahora; se le pidió que vuelva a intentarlo más tarde (demasiados archivos abiertos").count == 3,
                    "\(log)")
            // With the silent clients gone, the same sync goes through.
            let silentCount = silent.count
            silent.forEach { close($0) }
            silent.removeAll()
            var synced = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey], store: client)
            for _ in 0..<40 where synced.status != 0 {
                usleep(250_000)
                synced = CLI.run(["sync", "tcp://\(listening)", "--key", serverKey], store: client)
            }
            #expect(synced.status == 0, "\(synced)")
            // The silent clients left during the handshake: the server's log says the link was
            // cut, without the advice to sync again that is meant for a client.
            for _ in 0..<100 where log.components(separatedBy: "la conexión se cortó (").count < silentCount + 1 {
                log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                usleep(50_000)
            }
            #expect(log.components(separatedBy: "la conexión se cortó (").count > 1, "\(log)")
            #expect(!log.contains("vuelve a sincronizar"), "\(log)")
        }
    }

    /// A TCP address where something other than a Tejido server answers (here a web server's
    /// reply) is `cannot_connect`, with a hint to check the address and port, in the user's
    /// language; not a cut link to be cured by syncing again, and not OpenSSL's error codes.
    @Test func somethingOtherThanTLSAtTheAddressIsCannotConnect() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let serverKey = try #require(try CLI.json(["key", "show"], store: server.directory)["key"]?.string)
            let (client, _) = try server.joined(in: dir, name: "client")
            let web = try Self.listen()
            defer { close(web.fd) }
            let answering = Thread {
                for _ in 0..<2 {
                    let c = accept(web.fd, nil, nil)
                    guard c >= 0 else { return }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(c, &buffer, buffer.count)
                    let reply = Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
                    _ = write(c, reply, reply.count)
                    close(c)
                }
            }
            answering.start()
            try expectCannotConnect(
                port: String(web.port), serverKey: serverKey, client: client,
                english: "does not speak TLS: check that it is a Tejido server", spanish: "lo que responde en esta dirección no habla TLS")
        }
    }

    /// A TLS server that is not a Tejido server (its certificate holds a P-256 key, as a web
    /// server's would) is `cannot_connect` too, with the certificate's problem in the message.
    @Test func aTLSServerThatIsNotTejidoIsCannotConnect() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let serverKey = try #require(try CLI.json(["key", "show"], store: server.directory)["key"]?.string)
            let (client, _) = try server.joined(in: dir, name: "client")
            let pem = dir.appendingPathComponent("web.pem")
            try (Self.webCertificate + "\n" + Self.webKey + "\n").write(to: pem, atomically: true, encoding: .utf8)
            let portFile = dir.appendingPathComponent("port")
            // Python's own TLS server, answering two clients with a web page.
            let script = """
                import socket, ssl, sys
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1])
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
                open(sys.argv[2], "w").write(str(s.getsockname()[1]))
                for _ in range(2):
                    c, _ = s.accept()
                    try:
                        t = ctx.wrap_socket(c, server_side=True); t.sendall(b"HTTP/1.1 200 OK\\r\\n\\r\\n"); t.close()
                    except Exception:
                        c.close()
                """
            let web = Process()
            web.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            web.arguments = ["python3", "-c", script, pem.path, portFile.path]
            web.standardError = FileHandle.nullDevice
            try web.run()
            defer { if web.isRunning { web.terminate() } }
            var port = ""
            for _ in 0..<100 where port.isEmpty {
                usleep(50_000)
                port = (try? String(contentsOf: portFile, encoding: .utf8)) ?? ""
            }
            try #require(!port.isEmpty, "the web server did not start")
            try expectCannotConnect(
                port: port, serverKey: serverKey, client: client, english: "speaks TLS but is not a Tejido server",
                spanish: "habla TLS pero no es un servidor de Tejido (TLS: el certificado del par no lleva una llave Ed25519)")
        }
    }

    /// `sync` to 127.0.0.1:`port` fails as `cannot_connect` (not as a cut link), with `english` in
    /// its JSON message and `spanish` in its Spanish text, and no OpenSSL error codes.
    func expectCannotConnect(port: String, serverKey: String, client: URL, english: String, spanish: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = CLI.run(["sync", "tcp://127.0.0.1:\(port)", "--key", serverKey, "--json"], store: client)
        #expect(json.status == 1, sourceLocation: sourceLocation)
        let result = try JSON.parse(json.stdout)["results"]?.array?.first
        #expect(result?["error"]?.string == "cannot_connect", "\(json.stdout)", sourceLocation: sourceLocation)
        #expect(result?["message"]?.string?.contains(english) == true, "\(json.stdout)", sourceLocation: sourceLocation)
        let text = CLI.run(["sync", "tcp://127.0.0.1:\(port)", "--key", serverKey, "--lang", "es"], store: client)
        #expect(text.status == 1, sourceLocation: sourceLocation)
        #expect(text.stderr.contains("no se puede llegar al par") && text.stderr.contains(spanish), "\(text.stderr)", sourceLocation: sourceLocation)
        #expect(!text.stderr.contains("error:") && !text.stderr.contains("cortó"), "\(text.stderr)", sourceLocation: sourceLocation)
    }

    /// A throwaway P-256 certificate and key, made with `openssl req -x509` for the test above:
    /// what a web server might present.
    static let webCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBgTCCASegAwIBAgIUBVIMuEBF2UG2Ynv6ydtIKg8oVpwwCgYIKoZIzj0EAwIw
        FTETMBEGA1UEAwwKbm90LXRlamlkbzAgFw0yNjExMjgxMTAzMjZaGA8yMTI2MTEw
        NDExMDMyNlowFTETMBEGA1UEAwwKbm90LXRlamlkbzBZMBMGByqGSM49AgEGCCqG
        SM49AwEHA0IABA2caHPZz5wChV6ySGnLIITM3OOJp6Cr9RhoK0GbH0uNHkB4XJDD
        ScCWIbn63ZJGofaYnwGqs49I/+kK/mQ+RkCjUzBRMB0GA1UdDgQWBBRqWT9v9ZqM
        tSjZnMNuOwxWKYYIqjAfBgNVHSMEGDAWgBRqWT9v9ZqMtSjZnMNuOwxWKYYIqjAP
        BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDYUunqYgN3ZcWEEdgi
        qL2bfTtA6zfTs0XsuWgnSuqohQIgRuo4Y8pyuvz0iWvR1rsZQ1YgzEKeWrLchDLu
        w9ZAVCU=
        -----END CERTIFICATE-----
        """
    static let webKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeKvcnRHuNXL5U8PL
        O8a6Xcy4plOImBM+wD366kocoKGhRANCAAQNnGhz2c+cAoVeskhpyyCEzNzjiaeg
        q/UYaCtBmx9LjR5AeFyQw0nAliG5+t2SRqH2mJ8BqrOPSP/pCv5kPkZA
        -----END PRIVATE KEY-----
        """

    /// A listening TCP socket on 127.0.0.1 and a free port.
    static func listen() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && Glibc.listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A TCP connection to 127.0.0.1:`port` that sends nothing.
    static func connect(port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// Runs tejido under `ulimit -n limit` through the shell; waits at most `seconds`.
    static func runLimited(_ args: [String], descriptors limit: Int, seconds: Double = 30) throws -> (status: Int32, signaled: Bool, stderr: String) {
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("limited-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: err) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -n \(limit); exec \"$0\" \"$@\"", try CLI.executable.get().path] + args
        p.environment = CLI.baseEnvironment().merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal, (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test func tooFewFileDescriptorsIsAMessageNotACrash() throws {
        try withTemporaryDirectory { dir in
            let server = try StoreFixture.create(in: dir, name: "server", namespaces: ["chiapas"])
            let serve = try Self.runLimited(["serve", "--listen", "127.0.0.1:0", "--store", server.directory.path], descriptors: 10)
            #expect(!serve.signaled && serve.status == 1, "serve: \(serve)")
            #expect(serve.stderr.contains("Too many open files"), "\(serve.stderr)")
            let (client, _) = try server.joined(in: dir, name: "client")
            let sync = try Self.runLimited(["sync", server.directory.path, "--store", client.path], descriptors: 9)
            #expect(!sync.signaled && sync.status == 1, "sync: \(sync)")
            #expect(sync.stderr.contains("Too many open files"), "\(sync.stderr)")
            // Fewer still: the store's database, then the node key, cannot be opened, and the
            // message gives the system's reason rather than "missing" or SQLite's "unable to open".
            for descriptors in [5, 6] {
                let status = try Self.runLimited(["sync", server.directory.path, "--store", client.path], descriptors: descriptors)
                #expect(!status.signaled && status.status == 1, "\(descriptors): \(status)")
                #expect(status.stderr.contains("Too many open files"), "\(descriptors): \(status.stderr)")
            }
            // With the database out of reach for want of descriptors, the hint is the limit, not
            // the file or its directory (which are fine).
            for descriptors in [5, 6] {
                let key = try Self.runLimited(["key", "show", "--store", client.path], descriptors: descriptors)
                #expect(key.status == 1 && key.stderr.contains("ulimit -n"), "\(descriptors): \(key)")
                #expect(!key.stderr.contains("check that it is a file"), "\(descriptors): \(key.stderr)")
            }
        }
    }
}
