@testable import BTXSession
import Glibc
import XCTest

/// alt-schedule's days and hours, in local time (UTC here).
final class AltScheduleTests: XCTestCase {
    override func setUp() {
        setenv("TZ", "UTC", 1)
        tzset()
    }

    /// 2026-12-07 is a Monday; `hour` and `minute` of that day plus `days`.
    private func at(days: Int = 0, _ hour: Int, _ minute: Int = 0) -> Int {
        1_796_601_600 + days * 86_400 + hour * 3600 + minute * 60
    }

    func testDaysAndHoursAndTheirForms() throws {
        let weekdays = try AltSchedule("Mon-Fri 08:00-18:00")
        XCTAssertTrue(weekdays.isOn(at: at(8)))
        XCTAssertTrue(weekdays.isOn(at: at(17, 59)))
        XCTAssertFalse(weekdays.isOn(at: at(18)), "the end is exclusive")
        XCTAssertFalse(weekdays.isOn(at: at(7, 59)))
        XCTAssertFalse(weekdays.isOn(at: at(days: 5, 12)), "Saturday")
        let weekend = try AltSchedule("Sat,Sun 10:00-12:00, Wed 20:00-02:00")
        XCTAssertTrue(weekend.isOn(at: at(days: 5, 11)))
        XCTAssertTrue(weekend.isOn(at: at(days: 6, 10)))
        XCTAssertTrue(weekend.isOn(at: at(days: 2, 23)), "Wednesday evening")
        XCTAssertTrue(weekend.isOn(at: at(days: 3, 1, 30)), "past midnight, into Thursday")
        XCTAssertFalse(weekend.isOn(at: at(days: 3, 2)))
        XCTAssertFalse(weekend.isOn(at: at(days: 2, 1)), "Wednesday's small hours belong to Tuesday")
        XCTAssertTrue(try AltSchedule("* 00:00-24:00").isOn(at: at(days: 4, 23, 59)))
        XCTAssertTrue(try AltSchedule("Fri-Mon 09:00-10:00").isOn(at: at(days: 0, 9)), "a range of days across the week's end")
    }

    func testBadSchedulesAreRefused() {
        for bad in ["", "Mon", "Mon 8-18", "Mon 08:00-08:00", "Funday 08:00-09:00", "Mon 25:00-26:00", "Mon 08:00-18:00,",
                    "Mon 08:60-09:00", "Sat,"] {
            XCTAssertThrowsError(try AltSchedule(bad), bad)
        }
    }
}
