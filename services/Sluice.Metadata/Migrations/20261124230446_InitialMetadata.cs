using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class InitialMetadata : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "storage_nodes",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    rack = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    node_epoch = table.Column<long>(type: "bigint", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_storage_nodes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tenants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    account_id = table.Column<string>(type: "character(12)", fixedLength: true, maxLength: 12, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tenants", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "streams",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    shard_count = table.Column<int>(type: "integer", nullable: false),
                    retention_hours = table.Column<int>(type: "integer", nullable: false),
                    replication_factor = table.Column<int>(type: "integer", nullable: false),
                    min_in_sync_replicas = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_streams", x => x.id);
                    table.CheckConstraint("ck_streams_shard_count", "shard_count >= 0");
                    table.ForeignKey(
                        name: "fk_streams_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "shards",
                columns: table => new
                {
                    stream_id = table.Column<long>(type: "bigint", nullable: false),
                    shard_index = table.Column<int>(type: "integer", nullable: false),
                    starting_hash_key = table.Column<string>(type: "character varying(39)", maxLength: 39, nullable: false),
                    ending_hash_key = table.Column<string>(type: "character varying(39)", maxLength: 39, nullable: false),
                    parent_shard_index = table.Column<int>(type: "integer", nullable: true),
                    adjacent_parent_shard_index = table.Column<int>(type: "integer", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ending_offset = table.Column<long>(type: "bigint", nullable: true),
                    replicas = table.Column<string[]>(type: "text[]", nullable: false),
                    isr = table.Column<string[]>(type: "text[]", nullable: false),
                    leader_node_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    leader_epoch = table.Column<int>(type: "integer", nullable: false),
                    partition_epoch = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shards", x => new { x.stream_id, x.shard_index });
                    table.ForeignKey(
                        name: "fk_shards_streams_stream_id",
                        column: x => x.stream_id,
                        principalTable: "streams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_shards_leader_node_id",
                table: "shards",
                column: "leader_node_id");

            migrationBuilder.CreateIndex(
                name: "ix_streams_tenant_id_name",
                table: "streams",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenants_account_id",
                table: "tenants",
                column: "account_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tenants_name",
                table: "tenants",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "shards");

            migrationBuilder.DropTable(
                name: "storage_nodes");

            migrationBuilder.DropTable(
                name: "streams");

            migrationBuilder.DropTable(
                name: "tenants");
        }
    }
}
