#pragma once

#include "core/result.h"

namespace Tailops::Auth {

// The HMAC secret: $TAILOPS_SHARED_SECRET, else $SYSTEMMANAGER_SHARED_SECRET (the original's name), else
// the file named by gateway.yaml's auth.secret_file, which must be readable by its owner only (0600).
Core::Result<QByteArray> loadSharedSecret(const QString &secretFile);

// Writes a new random secret (32 bytes, hex) to FILE with mode 0600; fails if FILE exists.
Core::Result<void> createSecretFile(const QString &file);

constexpr qsizetype kMinSecretLength = 16;

} // namespace Tailops::Auth
