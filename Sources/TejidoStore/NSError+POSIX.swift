import Foundation

extension NSError {
    /// The errno behind a Foundation error: its own code in the POSIX domain, or its underlying
    /// error's (file writes report ENOSPC so); nil when there is none.
    public var posixCode: Int32? {
        if domain == NSPOSIXErrorDomain { return Int32(code) }
        if let underlying = userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }
}
