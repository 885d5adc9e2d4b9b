using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class TenancySecurity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "egress_bytes_per_second",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ingress_bytes_per_second",
                table: "tenants",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "egress_bytes_per_second",
                table: "streams",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "encrypted_data_key",
                table: "streams",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ingress_bytes_per_second",
                table: "streams",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "principal_id",
                table: "access_keys",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "acl_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    principal = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    effect = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    operation = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    stream_pattern = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_acl_entries", x => x.id);
                    table.ForeignKey(
                        name: "fk_acl_entries_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    actor_tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    target = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    remote_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    details = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "principals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    issuer = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    description = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    roles = table.Column<List<string>>(type: "text[]", nullable: false),
                    disabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_principals", x => x.id);
                    table.CheckConstraint("ck_principals_name", "name ~ '^(user|service):.+$'");
                    table.ForeignKey(
                        name: "fk_principals_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "usage_minutes",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stream_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    minute = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    records_in = table.Column<long>(type: "bigint", nullable: false),
                    bytes_in = table.Column<long>(type: "bigint", nullable: false),
                    records_out = table.Column<long>(type: "bigint", nullable: false),
                    bytes_out = table.Column<long>(type: "bigint", nullable: false),
                    throttled = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_usage_minutes", x => new { x.tenant_id, x.minute, x.stream_name });
                    table.ForeignKey(
                        name: "fk_usage_minutes_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_tenants_egress",
                table: "tenants",
                sql: "egress_bytes_per_second IS NULL OR egress_bytes_per_second > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_tenants_ingress",
                table: "tenants",
                sql: "ingress_bytes_per_second IS NULL OR ingress_bytes_per_second > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_streams_egress",
                table: "streams",
                sql: "egress_bytes_per_second IS NULL OR egress_bytes_per_second > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_streams_ingress",
                table: "streams",
                sql: "ingress_bytes_per_second IS NULL OR ingress_bytes_per_second > 0");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_principal_id",
                table: "access_keys",
                column: "principal_id");

            migrationBuilder.CreateIndex(
                name: "ix_acl_entries_tenant_id_principal_effect_operation_stream_pat",
                table: "acl_entries",
                columns: new[] { "tenant_id", "principal", "effect", "operation", "stream_pattern" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at",
                table: "audit_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_tenant_id_id",
                table: "audit_log",
                columns: new[] { "tenant_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_principals_tenant_id_name",
                table: "principals",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_access_keys_principals_principal_id",
                table: "access_keys",
                column: "principal_id",
                principalTable: "principals",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_access_keys_principals_principal_id",
                table: "access_keys");

            migrationBuilder.DropTable(
                name: "acl_entries");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "principals");

            migrationBuilder.DropTable(
                name: "usage_minutes");

            migrationBuilder.DropCheckConstraint(
                name: "ck_tenants_egress",
                table: "tenants");

            migrationBuilder.DropCheckConstraint(
                name: "ck_tenants_ingress",
                table: "tenants");

            migrationBuilder.DropCheckConstraint(
                name: "ck_streams_egress",
                table: "streams");

            migrationBuilder.DropCheckConstraint(
                name: "ck_streams_ingress",
                table: "streams");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_principal_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "egress_bytes_per_second",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "ingress_bytes_per_second",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "egress_bytes_per_second",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "encrypted_data_key",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "ingress_bytes_per_second",
                table: "streams");

            migrationBuilder.DropColumn(
                name: "principal_id",
                table: "access_keys");
        }
    }
}
