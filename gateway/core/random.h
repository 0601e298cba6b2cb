#pragma once

#include <QByteArray>

namespace Tailops::Core {

// BYTES bytes from the operating system's cryptographic generator (OpenSSL RAND_bytes), as lowercase hex.
// For session ids, token ids and secrets.
QByteArray randomHex(int bytes);

} // namespace Tailops::Core
