// Calls about many torrents in one hop to libtorrent's network thread.
//
// Each torrent_handle read posts a call to that thread and sleeps until it
// has run; libtorrent dispatches instead of posting when the caller already
// is that thread, so the same reads made from a handler posted there run in
// place. native_handle() is libtorrent's door for plugins to the session
// behind the handle, and the only public way onto its io_context.
#include "guard.hpp"
#include "session.hpp"

#include <libtorrent/aux_/session_impl.hpp>

#include <boost/asio/post.hpp>

#include <condition_variable>
#include <mutex>

extern "C" {

int btx_session_batch(btx_session* session, void (*body)(void* context), void* context) {
    return btx::guarded([&] {
        auto& s = btx::checked(session);
        btx::require(reinterpret_cast<void const*>(body), "body");
        auto const impl = s.session.native_handle();
        // A batch within a batch: waiting for the thread it runs on would never end.
        if (impl->get_context().get_executor().running_in_this_thread()) {
            body(context);
            return BTX_OK;
        }
        std::mutex mutex;
        std::condition_variable ran;
        bool done = false;
        boost::asio::post(impl->get_context(), [&] {
            body(context);
            std::lock_guard<std::mutex> lock(mutex);
            done = true;
            ran.notify_one();
        });
        std::unique_lock<std::mutex> lock(mutex);
        ran.wait(lock, [&] { return done; });
        return BTX_OK;
    });
}

}  // extern "C"
