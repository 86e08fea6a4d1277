-- Hotlines that pass alerts across borders (alerts/peers). A trusted peer is another hotline's
-- instance: its certificate (every CAP message it sends must carry an XML signature that
-- verifies with it), the CAP sender it writes, the address of its inbound endpoint (where our
-- signed CAP goes), and the account its messages act as here (inactive: nobody logs in with it).
CREATE TABLE peers (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9-]{2,40}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    sender text NOT NULL CHECK (length(sender) BETWEEN 1 AND 255),
    url text NOT NULL CHECK (url ~ '^https?://'),
    certificate text NOT NULL,
    staff_id bigint NOT NULL REFERENCES staff (id),
    active boolean NOT NULL DEFAULT true,
    created_by bigint REFERENCES staff (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A case that came from a peer: one per case, and one case per chain of the peer's messages.
CREATE TABLE peer_cases (
    case_id bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    peer_id bigint NOT NULL REFERENCES peers (id),
    remote_identifier text NOT NULL,
    UNIQUE (peer_id, remote_identifier)
);

-- Every message a peer sent that was taken, once by identifier: a replay is refused, and an
-- Update or Cancel finds its case through the identifiers it references.
CREATE TABLE peer_messages (
    peer_id bigint NOT NULL REFERENCES peers (id),
    identifier text NOT NULL,
    msg_type text NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (peer_id, identifier)
);

CREATE INDEX peer_messages_case_idx ON peer_messages (case_id);

-- The peers staff offered a case to: its revisions and its Cancel go to them (channel `peer`).
CREATE TABLE peer_offers (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    peer_id bigint NOT NULL REFERENCES peers (id),
    offered_by bigint NOT NULL REFERENCES staff (id),
    offered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, peer_id)
);
