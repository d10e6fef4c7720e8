@testable import BTXSession
import XCTest

/// base64 against RFC 4648's test vectors (section 10), and what it refuses.
final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(base64(Array(plain.utf8)), encoded)
            XCTAssertEqual(base64Decode(encoded), Array(plain.utf8), encoded)
        }
        let every = (0...255).map(UInt8.init)
        XCTAssertEqual(base64Decode(base64(every)), every)
    }

    func testWhatIsNotPaddedStandardBase64IsRefused() {
        for bad in ["Zg", "Zg=", "Zg===", "Z===", "Zg=a", "Zm9v!A==", "Zm-v", "Zm_v", "Zg==Zg==", " Zg="] {
            XCTAssertNil(base64Decode(bad), bad)
        }
    }
}
