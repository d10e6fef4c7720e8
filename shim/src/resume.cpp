// Saved state without a session: what `btx status` and `btx files` show
// when no session is running, read straight from resume data.
#include "files.hpp"
#include "guard.hpp"
#include "torrent_file.hpp"
#include "metainfo.hpp"

#include <libtorrent/bencode.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/write_resume_data.hpp>

extern "C" {

int btx_resume_parse(uint8_t const* bytes, size_t len, int want_files, btx_status** out_status,
                     btx_metainfo** out_metainfo) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out_status, "out_status");
        *out_status = nullptr;
        if (out_metainfo != nullptr) *out_metainfo = nullptr;
        lt::load_torrent_limits const limits = btx::torrent_limits();
        lt::error_code ec;
        lt::add_torrent_params const atp = lt::read_resume_data(
            {reinterpret_cast<char const*>(bytes), std::ptrdiff_t(len)}, ec, limits);
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid resume data: " + ec.message());

        std::unique_ptr<btx_metainfo, decltype(&btx_metainfo_free)> metainfo(
            out_metainfo != nullptr ? btx::build_metainfo(atp, want_files != 0) : nullptr, &btx_metainfo_free);
        btx_status* status = btx::alloc_array<btx_status>(1);
        std::unique_ptr<btx_status, void (*)(btx_status*)> guard(status, [](btx_status* p) { btx_status_free(p, 1); });
        btx_status& s = *status;
        lt::info_hash_t const hashes = atp.ti ? atp.ti->info_hashes() : atp.info_hashes;
        if (hashes.has_v1()) btx::copy_into(s.info_hash_v1, sizeof s.info_hash_v1, btx::to_hex(hashes.v1.data(), 20));
        if (hashes.has_v2()) btx::copy_into(s.info_hash_v2, sizeof s.info_hash_v2, btx::to_hex(hashes.v2.data(), 32));
        s.name = btx::copy_string(atp.ti ? atp.ti->name() : atp.name);
        s.save_path = btx::copy_string(atp.save_path);
        s.error = btx::copy_string("");
        s.paused = bool(atp.flags & lt::torrent_flags::paused);
        s.has_metadata = atp.ti != nullptr;
        btx::wanted_bytes const wanted = btx::count_wanted(atp);
        s.total_size = atp.ti ? btx::real_size(atp.ti->files()) : 0;
        s.total_wanted = wanted.total;
        s.total_done = wanted.done;
        // As libtorrent's own status has it (parts per million, as a float): a
        // torrent shown from its resume file and then from libtorrent shows no change.
        s.progress = wanted.total > 0 ? double(float(wanted.done * 1000000 / wanted.total) / 1000000.f) : (atp.ti ? 1.0 : 0.0);
        s.num_pieces = atp.ti ? atp.ti->num_pieces() : 0;
        s.pieces_done = atp.have_pieces.count();
        if (!atp.ti) s.state = BTX_STATE_DOWNLOADING_METADATA;
        else if (s.pieces_done == s.num_pieces) s.state = BTX_STATE_SEEDING;
        else if (wanted.done == wanted.total) s.state = BTX_STATE_FINISHED;
        else s.state = BTX_STATE_DOWNLOADING;
        s.total_downloaded = atp.total_downloaded;
        s.total_uploaded = atp.total_uploaded;
        s.added_time = int64_t(atp.added_time);
        s.completed_time = int64_t(atp.completed_time);
        // Resume data keeps no queue position: the order is whoever adds first.
        s.auto_managed = bool(atp.flags & lt::torrent_flags::auto_managed);
        s.queue_position = -1;

        *out_status = guard.release();
        if (out_metainfo != nullptr) *out_metainfo = metainfo.release();
        return BTX_OK;
    });
}

int btx_resume_torrent_file(uint8_t const* bytes, size_t len, uint8_t** out, size_t* out_len) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out, "out");
        btx::require(out_len, "out_len");
        *out = nullptr;
        *out_len = 0;
        lt::error_code ec;
        lt::add_torrent_params const atp = lt::read_resume_data(
            {reinterpret_cast<char const*>(bytes), std::ptrdiff_t(len)}, ec, btx::torrent_limits());
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid resume data: " + ec.message());
        if (!atp.ti || !atp.ti->is_valid())
            throw btx::failure(BTX_ERR_NO_METADATA, "the torrent's metadata has not arrived yet");
        std::vector<char> buf;
        lt::bencode(std::back_inserter(buf), lt::write_torrent_file(atp));
        *out = btx::copy_bytes(buf.data(), buf.size());
        *out_len = buf.size();
        return BTX_OK;
    });
}

int btx_resume_set_paused(uint8_t const* bytes, size_t len, int paused, uint8_t** out, size_t* out_len) {
    return btx::guarded([&] {
        btx::require(bytes, "bytes");
        btx::require(out, "out");
        btx::require(out_len, "out_len");
        *out = nullptr;
        *out_len = 0;
        lt::load_torrent_limits const limits = btx::torrent_limits();
        lt::error_code ec;
        lt::add_torrent_params atp = lt::read_resume_data(
            {reinterpret_cast<char const*>(bytes), std::ptrdiff_t(len)}, ec, limits);
        if (ec) throw btx::failure(BTX_ERR_PARSE, "invalid resume data: " + ec.message());
        if (paused) atp.flags |= lt::torrent_flags::paused;
        else atp.flags &= ~lt::torrent_flags::paused;
        std::vector<char> const buf = lt::write_resume_data_buf(atp);
        *out = btx::copy_bytes(buf.data(), buf.size());
        *out_len = buf.size();
        return BTX_OK;
    });
}

}
