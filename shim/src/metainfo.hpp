// One builder for btx_metainfo, whatever it was read from: a .torrent, a
// magnet link or saved resume data.
#pragma once

#include "btx.h"

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/bdecode.hpp>

namespace btx {

// `atp` supplies trackers, web seeds and the name when there is no metadata;
// with want_files, each file's progress comes from atp.have_pieces and its
// priority from atp.file_priorities.
// `info` is the decoded info dictionary when the caller has it at hand: the
// source tag is read from it (torrent_info would decode its copy again).
btx_metainfo* build_metainfo(lt::add_torrent_params const& atp, bool want_files,
                             lt::bdecode_node const& info = lt::bdecode_node());

}  // namespace btx
